-- kind: conversion
-- message: cycle
local loop = {}
loop.self = loop
return loop
