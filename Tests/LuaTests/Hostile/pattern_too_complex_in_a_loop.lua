-- kind: instruction limit
-- message: instruction limit exceeded
-- Each refused call pays for the steps it took before Lua's nesting
-- limit ("pattern too complex") refused it.
local subject = string.rep("a", 300)
local pattern = string.rep("a?", 300)
while true do pcall(string.find, subject, pattern) end --< here
