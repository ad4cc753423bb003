-- kind: instruction limit
-- message: instruction limit exceeded
-- The steps of each iteration are charged as they are taken.
local subject = string.rep("a", 20000)
for word in subject:gmatch("a-a-a-a-b") do --< here
  return word
end
