-- kind: conversion
-- message: a function value cannot leave the script
return print
