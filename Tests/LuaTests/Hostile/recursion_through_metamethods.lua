-- kind: runtime
-- message: stack overflow
local chain = setmetatable({}, {})
getmetatable(chain).__index = function(t, k) return t[k] end --< here
return chain.x
