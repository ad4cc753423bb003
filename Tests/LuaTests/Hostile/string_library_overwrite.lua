-- kind: runtime
-- message: attempt to modify a read-only table (field 'upper')
string.upper = function() return "pwned" end --< here
