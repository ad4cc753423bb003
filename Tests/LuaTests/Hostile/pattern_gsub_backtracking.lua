-- kind: instruction limit
-- message: instruction limit exceeded
-- gsub tries the pattern at every position, each try backtracking again.
local subject = string.rep("a", 20000)
return (subject:gsub("a*a*a*b", "x")) --< here
