-- kind: instruction limit
-- message: instruction limit exceeded
-- %b scans to the end of the text from every '(' and never balances.
local subject = string.rep("(", 200000)
return subject:find("%b()") --< here
