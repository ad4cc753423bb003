-- kind: runtime
-- message: pattern size limit exceeded
return ("a"):find(string.rep("a?", 1000)) --< here
