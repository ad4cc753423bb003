-- kind: runtime
-- message: string.rep limit exceeded
return string.rep("x", 1 << 40) --< here
