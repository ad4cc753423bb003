-- kind: instruction limit
-- message: instruction limit exceeded
local spin = coroutine.wrap(function() while true do end end) --< here
spin()
