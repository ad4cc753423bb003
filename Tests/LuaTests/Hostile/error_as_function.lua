-- expect: runtime
-- message: (error object is a function value)
-- line: 4
error(function() while true do end end)
