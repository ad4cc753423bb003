-- kind: runtime
-- message: stack overflow
local function spawn()
  local ok, err = coroutine.resume(coroutine.create(spawn))
  if not ok then error(err, 0) end
end
spawn()
