--- Business hours in a time zone given as a fixed UTC offset ("-03:00").
---
---     local hours = require "crm.hours"
---     local office = hours.new {
---       zone = "-03:00",
---       weekdays = { "09:00", "18:00" },      -- monday to friday
---       sat = { "09:00", "13:00" },
---       closed = { "2026-12-25" },            -- local dates
---     }
---     if not office:is_open() then msg:reply("Voltamos " .. office:describe()) end
---@class crm.hours
local hours = {}

local day_names = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" }

---@alias crm.hours.Span string[] two "HH:MM" times, opening and closing

---@class crm.hours.Schedule
---@field zone string
---@field offset integer seconds east of UTC
---@field days table<string, crm.hours.Span[]>
---@field closed table<string, boolean>
local Schedule = {}
Schedule.__index = Schedule

--- Seconds east of UTC of an offset such as "-03:00", "+05:30", "Z" or "UTC".
---@param zone string
---@return integer
function hours.offset(zone)
  if zone == nil or zone == "Z" or zone == "UTC" then return 0 end
  local sign, hh, mm = zone:match("^([+-])(%d%d):?(%d%d)$")
  if not sign then error("hours: time zone '" .. tostring(zone) .. "' is not like -03:00", 3) end
  local seconds = tonumber(hh) * 3600 + tonumber(mm) * 60
  return sign == "-" and -seconds or seconds
end

local function minutes(clock)
  local hh, mm = tostring(clock):match("^(%d%d?):(%d%d)$")
  if not hh then error("hours: time '" .. tostring(clock) .. "' is not like 09:30", 4) end
  return tonumber(hh) * 60 + tonumber(mm)
end

local function spans(value)
  if value == nil or value == false then return {} end
  if type(value[1]) == "string" then value = { value } end
  local result = {}
  for _, span in ipairs(value) do result[#result + 1] = { minutes(span[1]), minutes(span[2]) } end
  return result
end

--- A schedule. Keys: `zone`, `weekdays` (mon–fri), `weekend` (sat, sun), or any of
--- `mon tue wed thu fri sat sun`; each a span `{"09:00", "18:00"}` or a list of
--- spans. `closed` lists local dates ("2026-12-25") when it is closed all day.
---@param spec table
---@return crm.hours.Schedule
function hours.new(spec)
  local schedule = setmetatable({ zone = spec.zone or "Z", days = {}, closed = {} }, Schedule)
  schedule.offset = hours.offset(schedule.zone)
  for i = 2, 6 do schedule.days[day_names[i]] = spans(spec.weekdays) end
  schedule.days.sat, schedule.days.sun = spans(spec.weekend), spans(spec.weekend)
  for _, name in ipairs(day_names) do
    if spec[name] ~= nil then schedule.days[name] = spans(spec[name]) end
  end
  for _, date in ipairs(spec.closed or {}) do schedule.closed[date] = true end
  return schedule
end

--- The local calendar fields of an instant (default: now) in the schedule's zone.
---@param at? integer epoch seconds
---@return { year: integer, month: integer, day: integer, hour: integer, min: integer, wday: integer, date: string, day_name: string }
function Schedule:local_time(at)
  local t = os.date("!*t", (at or crm.now()) + self.offset)
  t.date = string.format("%04d-%02d-%02d", t.year, t.month, t.day)
  t.day_name = day_names[t.wday]
  return t
end

--- Whether the business is open at `at` (default: now).
---@param at? integer epoch seconds
---@return boolean
function Schedule:is_open(at)
  local t = self:local_time(at)
  if self.closed[t.date] then return false end
  local now = t.hour * 60 + t.min
  for _, span in ipairs(self.days[t.day_name] or {}) do
    if now >= span[1] and now < span[2] then return true end
  end
  return false
end

--- When it next opens (epoch seconds), searching a week ahead; nil if never.
---@param at? integer epoch seconds
---@return integer|nil
function Schedule:next_opening(at)
  at = at or crm.now()
  for day = 0, 7 do
    local t = self:local_time(at + day * 86400)
    if not self.closed[t.date] then
      local midnight = at + day * 86400 - (t.hour * 3600 + t.min * 60 + t.sec)
      for _, span in ipairs(self.days[t.day_name] or {}) do
        local opening = midnight + span[1] * 60
        if opening > at then return opening end
      end
    end
  end
  return nil
end

local pt_days = { sun = "domingo", mon = "segunda", tue = "terça", wed = "quarta", thu = "quinta", fri = "sexta", sat = "sábado" }

--- "segunda às 09:00": the next opening in words (Portuguese), or "em breve".
---@param at? integer epoch seconds
---@return string
function Schedule:describe(at)
  local opening = self:next_opening(at)
  if not opening then return "em breve" end
  local t = self:local_time(opening)
  return string.format("%s às %02d:%02d", pt_days[t.day_name], t.hour, t.min)
end

return hours
