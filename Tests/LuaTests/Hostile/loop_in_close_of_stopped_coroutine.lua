-- kind: instruction limit
-- message: instruction limit exceeded
-- resume catches the stop of the coroutine; coroutine.close would then run its
-- __close handler on a thread whose hooks the stop left off.
local co = coroutine.create(function()
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
  while true do end --< here
end)
coroutine.resume(co)
coroutine.close(co)
while true do end
