#include "calendar/business_calendar.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/json_text.h"

namespace coalition {

using nlohmann::json;

namespace {

constexpr int64_t kDay = 86400;

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// "2026-12-25" -> days since 1970-01-01, using the civil calendar (proleptic Gregorian).
std::optional<int64_t> parse_date(const std::string& text) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  char extra = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &extra) != 3) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

std::optional<int> parse_weekday(const std::string& name) {
  static const char* kNames[] = {"sunday",   "monday", "tuesday", "wednesday",
                                 "thursday", "friday", "saturday"};
  for (int i = 0; i < 7; ++i) {
    if (name == kNames[i]) return i;
  }
  return std::nullopt;
}

}  // namespace

Result<BusinessCalendar> BusinessCalendar::parse(const json& doc, const std::string& source,
                                                 const std::filesystem::path& zoneinfo) {
  auto fail = [&](const std::string& pointer, const std::string& what) {
    return Error::configuration("calendar " + source + ": " + pointer + ": " + what);
  };
  if (!doc.is_object()) return fail("", "expected an object");
  BusinessCalendar c;
  if (!doc.contains("id") || !doc["id"].is_string() || doc["id"].get<std::string>().empty()) {
    return fail("/id", "expected the calendar id, a non-empty string such as \"au-national\"");
  }
  c.id_ = doc["id"].get<std::string>();
  if (!doc.contains("time_zone") || !doc["time_zone"].is_string()) {
    return fail("/time_zone", "expected an IANA time zone name such as \"Australia/Sydney\"");
  }
  auto zone = TimeZone::load(doc["time_zone"].get<std::string>(), zoneinfo);
  if (!zone) return fail("/time_zone", zone.error().message());
  c.zone_ = std::move(*zone);
  const json weekend = doc.value("weekend", json::array({"saturday", "sunday"}));
  if (!weekend.is_array()) return fail("/weekend", "expected a list of day names");
  for (size_t i = 0; i < weekend.size(); ++i) {
    auto day = weekend[i].is_string() ? parse_weekday(weekend[i].get<std::string>()) : std::nullopt;
    if (!day)
      return fail("/weekend/" + std::to_string(i), "expected a day name such as \"sunday\"");
    c.weekend_[*day] = true;
  }
  const json holidays = doc.value("holidays", json::array());
  if (!holidays.is_array()) return fail("/holidays", "expected a list");
  for (size_t i = 0; i < holidays.size(); ++i) {
    const json& h = holidays[i];
    const json date = h.is_object() ? h.value("date", json()) : h;
    auto day = date.is_string() ? parse_date(date.get<std::string>()) : std::nullopt;
    if (!day) {
      return fail("/holidays/" + std::to_string(i),
                  "expected a date \"YYYY-MM-DD\" or {\"date\": ..., \"name\": ...}");
    }
    c.holidays_.insert(*day);
  }
  if (std::all_of(c.weekend_.begin(), c.weekend_.end(), [](bool w) { return w; })) {
    return fail("/weekend", "a calendar needs at least one working day in the week");
  }
  return c;
}

bool BusinessCalendar::is_business_day(int64_t day) const {
  const int64_t weekday = ((day % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday
  return !weekend_[weekday] && holidays_.count(day) == 0;
}

UtcMicros BusinessCalendar::add_business_days(UtcMicros from, uint32_t n) const {
  const int64_t utc =
      std::chrono::duration_cast<std::chrono::seconds>(from.time_since_epoch()).count();
  int64_t day = floor_div(utc + zone_.offset_at(from), kDay);
  for (uint32_t counted = 0; counted < n;) {
    ++day;
    if (is_business_day(day)) ++counted;
  }
  return zone_.from_local((day + 1) * kDay - 1);
}

Result<CalendarSet> CalendarSet::load(const std::filesystem::path& directory) {
  CalendarSet set;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) {
    return Error::configuration("cannot read calendars from " + directory.string() + ": " +
                                ec.message());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto text = read_text_file(file.string());
    if (!text) return Error::configuration(text.error().message());
    auto doc = parse_json(*text);
    if (!doc)
      return Error::configuration("calendar " + file.string() + ": " + doc.error().message());
    auto calendar = BusinessCalendar::parse(*doc, file.string());
    if (!calendar) return std::move(calendar).error();
    if (auto s = set.add(std::move(*calendar)); !s) return std::move(s).error();
  }
  return set;
}

Status CalendarSet::add(BusinessCalendar calendar) {
  const std::string id = calendar.id();
  if (!calendars_.emplace(id, std::make_shared<const BusinessCalendar>(std::move(calendar))).second)
    return Error::configuration("two calendars have the id '" + id + "'");
  return ok_status();
}

Result<const BusinessCalendar*> CalendarSet::find(const std::string& id) const {
  auto it = calendars_.find(id);
  if (it != calendars_.end()) return it->second.get();
  std::string known;
  for (const auto& [k, v] : calendars_) known += (known.empty() ? "" : ", ") + k;
  return Error::configuration("unknown business calendar '" + id + "'" +
                              (known.empty() ? std::string("; no calendars are configured "
                                                           "(calendars.directory)")
                                             : "; known: " + known));
}

}  // namespace coalition
