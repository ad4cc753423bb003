-- kind: instruction limit
-- message: instruction limit exceeded
local ok = pcall(function() while true do end end) --< here
return "survived", ok
