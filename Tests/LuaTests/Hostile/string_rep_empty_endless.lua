-- kind: runtime
-- message: string.rep limit exceeded
-- An empty string repeated 2^50 times is empty, but Lua's C loop would still run 2^50 times.
return string.rep("", 1 << 50) --< here
