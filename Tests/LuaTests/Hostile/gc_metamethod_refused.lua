-- kind: runtime
-- message: __gc metamethods are not allowed in scripts
-- A finalizer would run inside the host's garbage collection, out of any budget.
setmetatable({}, { __gc = function() while true do end end }) --< here
