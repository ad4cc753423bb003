-- kind: runtime
-- message: (error object is a function value)
error(function() while true do end end) --< here
