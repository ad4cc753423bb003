-- kind: instruction limit
-- message: instruction limit exceeded
local trap = setmetatable({}, { __tostring = function() while true do end end }) --< here
return tostring(trap)
