-- expect: runtime
-- message: (error object is a table value)
-- line: 7
-- The host's error handler never calls __tostring, so this cannot hang it.
local evil = setmetatable({}, { __tostring = function() while true do end end })
local x = 1
error(evil)
