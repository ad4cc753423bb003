-- expect: runtime
-- message: setmetatable: __gc metamethods are not allowed in scripts
-- line: 5
-- A finalizer would run outside any call's budget: refused.
setmetatable({}, { __gc = function() while true do end end })
