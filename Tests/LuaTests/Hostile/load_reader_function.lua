-- kind: runtime
-- message: only a string of Lua text can be loaded
return load(function() return "x = 1 " end) --< here
