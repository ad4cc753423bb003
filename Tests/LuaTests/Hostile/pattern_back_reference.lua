-- kind: instruction limit
-- message: instruction limit exceeded
-- Every length of the capture is compared again by %1, at every start.
local subject = string.rep("ab", 100000)
local found = subject:match("(.-)%1%1x") --< here
return found
