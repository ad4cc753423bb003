-- expect: instruction limit
-- message: instruction limit exceeded
-- line: 6
-- The callback runs inside gsub's C loop; the hook still reaches it.
string.gsub(string.rep("a", 100), "a", function(c)
  while true do end
end)
