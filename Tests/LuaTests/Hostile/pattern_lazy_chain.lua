-- kind: instruction limit
-- message: instruction limit exceeded
-- Six nested shortest matches with no 'b' to end them: about n^7 steps.
local subject = string.rep("a", 5000)
return subject:find(".-.-.-.-.-.-b") --< here
