-- kind: instruction limit
-- message: instruction limit exceeded
local spin = coroutine.wrap(function()
  return xpcall(function() while true do end end, function() while true do end end) --< here
end)
spin()
