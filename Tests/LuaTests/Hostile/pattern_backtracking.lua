-- kind: runtime
-- message: pattern complexity limit exceeded
local subject = string.rep("a", 20000)
return subject:find("a*a*a*a*a*b") --< here
