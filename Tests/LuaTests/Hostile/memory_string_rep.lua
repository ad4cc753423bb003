-- expect: runtime
-- message: string.rep limit exceeded: 1073741824 bytes, the limit is 1048576
-- line: 4
local huge = string.rep("x", 1 << 30)
