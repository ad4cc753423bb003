-- kind: instruction limit
-- message: instruction limit exceeded
-- Each start tries every split of the run among the five a*: the matcher's
-- steps are charged to the budget, which stops it.
local subject = string.rep("a", 20000)
return subject:find("a*a*a*a*a*b") --< here
