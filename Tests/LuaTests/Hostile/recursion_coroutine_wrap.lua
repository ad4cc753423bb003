-- expect: runtime
-- message: stack overflow
-- line: 5
local function nest()
  return coroutine.wrap(nest)()
end
nest()
