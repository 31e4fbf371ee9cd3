#include "smtp_mailer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "curl_handle.h"
#include "shared/time_text.h"

namespace coalition::plugins::notify {
namespace {

// A header value on one line: a line break in a value would start a header of its own.
std::string one_line(std::string value) {
  std::replace_if(
      value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return value;
}

// The body with CRLF line ends; libcurl dot-stuffs lines that start with '.'.
std::string crlf_lines(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') out += '\r';
    out += c;
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

std::string angle(const std::string& address) {
  return "<" + one_line(address) + ">";
}

struct Upload {
  const std::string* text;
  size_t sent = 0;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->text->size() - upload->sent);
  std::memcpy(buffer, upload->text->data() + upload->sent, n);
  upload->sent += n;
  return n;
}

}  // namespace

std::string mail_text(const std::string& from, const Mail& mail) {
  std::string text;
  text += "From: " + angle(from) + "\r\n";
  text += "To: " + angle(mail.to) + "\r\n";
  text += "Subject: " + one_line(mail.subject) + "\r\n";
  if (!mail.date.empty()) text += "Date: " + one_line(mail.date) + "\r\n";
  if (!mail.message_id.empty()) text += "Message-ID: " + angle(mail.message_id) + "\r\n";
  text += "MIME-Version: 1.0\r\n";
  text += "Content-Type: text/plain; charset=utf-8\r\n";
  text += "Content-Transfer-Encoding: 8bit\r\n";
  text += "Auto-Submitted: auto-generated\r\n";  // RFC 3834: no auto-replies to it
  text += "\r\n";
  text += crlf_lines(mail.body);
  return text;
}

// Built from the calendar fields, not through strftime: fmt formats a system_clock time in the
// process's local time zone, and a Date that says +0000 must be UTC.
std::string mail_date(const std::string& rfc3339) {
  auto instant = parse_instant(rfc3339);
  if (!instant) return "";
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_days day = floor<days>(*instant);
  const year_month_day ymd(day);
  const hh_mm_ss<seconds> time(*instant - day);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", kDays[weekday(day).c_encoding()],
                     unsigned(ymd.day()), kMonths[unsigned(ymd.month()) - 1], int(ymd.year()),
                     time.hours().count(), time.minutes().count(), time.seconds().count());
}

SmtpResult send_mail(const SmtpOptions& options, const Mail& mail) {
  const bool smtps = options.url.rfind("smtps://", 0) == 0;
  if (!smtps && options.url.rfind("smtp://", 0) != 0) {
    return {false, "the mail server must be an smtp:// or smtps:// URL: " + options.url, true};
  }
  if (options.from.empty()) return {false, "no sender address (smtp.from) is configured", true};
  if (mail.to.find_first_of("\r\n<>") != std::string::npos || mail.to.empty()) {
    return {false, "the recipient address is not one address", true};
  }
  CurlHandle curl = make_curl_handle(options.ca_file, options.timeout_ms);
  if (!curl) return {false, "libcurl could not start a request", false};
  CURL* c = curl.get();
  const std::string text = mail_text(options.from, mail);
  Upload upload{&text};
  CurlList recipients(curl_slist_append(nullptr, angle(mail.to).c_str()));
  if (!recipients) return {false, "out of memory", false};
  const std::string sender = angle(options.from);
  curl_easy_setopt(c, CURLOPT_URL, options.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // smtp:// must upgrade with STARTTLS or send nothing: never a downgrade to clear text.
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, sender.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  if (!options.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, options.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &read_upload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  char why[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
  const CURLcode code = curl_easy_perform(c);
  if (code == CURLE_OK) return {true, "", false};
  long reply = 0;  // the server's last reply code: 5xx is a refusal for good, 4xx for now
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  std::string error = why[0] != '\0' ? std::string(why) : std::string(curl_easy_strerror(code));
  if (reply != 0) error += fmt::format(" (the server answered {})", reply);
  return {false, error, permanent_curl_error(code) || (reply >= 500 && reply < 600)};
}

}  // namespace coalition::plugins::notify
