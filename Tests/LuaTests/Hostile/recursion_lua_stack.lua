-- expect: memory limit
-- message: memory limit exceeded
-- line: 5
local function deeper(n)
  return 1 + deeper(n + 1)
end
deeper(1)
