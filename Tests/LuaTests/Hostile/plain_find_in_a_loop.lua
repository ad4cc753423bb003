-- kind: instruction limit
-- message: instruction limit exceeded
-- Each search scans 200 KB in C; the bytes scanned are charged to the budget.
local subject = string.rep("a", 200000)
while true do subject:find("b", 1, true) end --< here
