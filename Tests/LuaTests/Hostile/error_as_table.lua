-- expect: runtime
-- message: (error object is a table value)
-- line: 4
error({ code = 500, reason = setmetatable({}, { __index = function() while true do end end }) })
