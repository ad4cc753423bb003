-- expect: runtime
-- message: pattern complexity limit exceeded
-- line: 5
-- Exponential backtracking in the C matcher, where the hook never fires.
return string.find(string.rep("a", 20000), "a-a-a-a-a-a-b")
