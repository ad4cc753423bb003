-- kind: instruction limit
-- message: instruction limit exceeded
-- Compiling runs in C; the text compiled is charged to the budget.
local code = string.rep("x = 1 ", 100000)
while true do load(code) end --< here
