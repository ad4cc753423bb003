-- expect: runtime
-- message: string.rep limit exceeded
-- line: 5
-- An empty string repeated forever is a loop in C the hook cannot see.
local nothing = string.rep("", math.maxinteger)
