-- kind: runtime
-- message: overflow
-- The parser recurses in C; Lua's own level limit refuses the text.
local chunk, problem = load("return " .. string.rep("(", 100000) .. "1" .. string.rep(")", 100000))
error(problem, 0)
