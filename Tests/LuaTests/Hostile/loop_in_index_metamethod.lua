-- kind: instruction limit
-- message: instruction limit exceeded
local trap = setmetatable({}, { __index = function() while true do end end }) --< here
return trap.anything
