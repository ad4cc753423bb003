-- expect: runtime
-- message: stack overflow
-- line: 5
local mt = {}
mt.__tostring = function(self) return tostring(self) end
return tostring(setmetatable({}, mt))
