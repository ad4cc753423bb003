-- kind: instruction limit
-- message: instruction limit exceeded
table.move({}, 1, math.maxinteger - 1, 1, {}) --< here
