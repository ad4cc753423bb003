-- expect: runtime
-- message: pattern complexity limit exceeded
-- line: 5
local subject = string.rep("ab", 50000)
for piece in subject:gmatch("(.-)(.-)(.-)x") do end
