-- kind: runtime
-- message: pattern subject limit exceeded
local subject = string.rep("a", 1 << 20)
return subject:match("b") --< here
