-- kind: instruction limit
-- message: instruction limit exceeded
-- The budget stops the coroutine; wrap's error path would close it and run
-- its __close handler on a thread whose hooks the stop left off.
local spin = coroutine.wrap(function()
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
  while true do end --< here
end)
spin()
