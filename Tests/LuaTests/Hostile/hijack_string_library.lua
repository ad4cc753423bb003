-- expect: runtime
-- message: attempt to modify a read-only table (field 'format')
-- line: 5
pcall(rawset, string, "format", print)
string.format = function() return "pwned" end
