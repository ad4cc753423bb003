-- expect: runtime
-- message: pattern subject limit exceeded
-- line: 5
local subject = string.rep("z", 1 << 20)
return subject:gsub("z", "y")
