"""Small files in each layout of FORMATS.md, built from known values with their quirks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

START = datetime(2020, 1, 1)


@dataclass
class Case:
    """A generated file and the figures the engine must reproduce."""

    path: Path
    temp_c: np.ndarray  # °C of every row that should be used
    hum_pct: np.ndarray  # aligned with temp_c; NaN where the row has no valid humidity
    temperature: str
    humidity: str | None
    start: str | None
    end: str | None
    unit: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    assumed: bool = False
    warnings: tuple[str, ...] = ()


def _series(rng: np.random.Generator, n: int, step: timedelta, start: datetime = START):
    times = [start + i * step for i in range(n)]
    hum = np.round(rng.uniform(20, 100, n), 1)
    temp = np.round(25 - 0.2 * hum + rng.normal(0, 3, n), 1)
    return times, temp, hum


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def _f(c: np.ndarray) -> np.ndarray:
    return np.round(c * 9 / 5 + 32, 1)


def szeged(tmp: Path, rng: np.random.Generator) -> Case:
    times, temp, hum = _series(rng, 300, timedelta(hours=13), datetime(2006, 3, 20))
    frac = np.round(hum / 100, 2)
    rows = []
    utc = []
    for t, c, h in zip(times, temp, frac, strict=True):
        off = 2 if 4 <= t.month <= 9 else 1
        utc.append(t - timedelta(hours=off))
        pressure = "0.0" if rng.random() < 0.05 else "1015.13"
        rows.append(f"{t:%Y-%m-%d %H:%M:%S}.000 +0{off}00,Partly Cloudy,rain,{c},{c - 2.5},"
                    f"{h},14.1197,251.0,15.8263,0.0,{pressure},"
                    '"Partly cloudy throughout the day, windy."')
    order = rng.permutation(len(rows))
    head = ("Formatted Date,Summary,Precip Type,Temperature (C),Apparent Temperature (C),"
            "Humidity,Wind Speed (km/h),Wind Bearing (degrees),Visibility (km),Loud Cover,"
            "Pressure (millibars),Daily Summary")
    path = tmp / "weatherHistory.csv"
    path.write_text(head + "\n" + "\n".join(rows[i] for i in order) + "\n")
    return Case(path, temp, frac * 100, "Temperature (C)", "Humidity",
                _iso(min(utc)) + "Z", _iso(max(utc)) + "Z", "C", warnings=("HUMIDITY_AS_FRACTION",))


def xls(tmp: Path, rng: np.random.Generator) -> Case:
    """The original service's layout in a legacy .xls, dates as formatted date cells."""
    import xlwt

    times, temp, hum = _series(rng, 90, timedelta(days=1), datetime(2016, 1, 1))
    wb = xlwt.Workbook()
    ws = wb.add_sheet("climate")
    style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for k, name in enumerate(["date", "mean_temp_C", "humidity", "wind_speed"]):
        ws.write(2, k, name)
    for i, (t, c, h) in enumerate(zip(times, temp, hum, strict=True)):
        ws.write(3 + i, 0, t, style)
        ws.write(3 + i, 1, float(c))
        ws.write(3 + i, 2, float(h))
        ws.write(3 + i, 3, 3.5)
    path = tmp / "climate.xls"
    wb.save(str(path))
    return Case(path, temp, hum, "mean_temp_C", "humidity", _iso(times[0]), _iso(times[-1]),
                "C")


def delhi(tmp: Path, rng: np.random.Generator, original: bool = False) -> Case:
    times, temp, hum = _series(rng, 200, timedelta(days=1), datetime(2013, 1, 1))
    name = "mean_temp_C" if original else "meantemp"
    head = f"date,{name},humidity,wind_speed" + ("" if original else ",meanpressure")
    lines = [head] + [f"{t:%Y-%m-%d},{c},{h},{rng.uniform(0, 9):.3f}"
                      + ("" if original else ",1015.6") for t, c, h in zip(times, temp, hum,
                                                                           strict=True)]
    path = tmp / "DailyDelhiClimateTrain.csv"
    path.write_text("\n".join(lines) + "\n")
    return Case(path, temp, hum, name, "humidity", _iso(times[0]), _iso(times[-1]), "C",
                assumed=not original)


def noaa_cdo(tmp: Path, rng: np.random.Generator) -> Case:
    times, temp, _ = _series(rng, 366, timedelta(days=1), datetime(2018, 1, 1))
    temp = np.round(10 + 15 * np.sin(np.arange(366) / 58) + rng.normal(0, 2, 366), 1)
    tf = np.round(_f(temp))
    lines = ['"STATION","NAME","DATE","PRCP","SNOW","TAVG","TMAX","TMIN"']
    keep = []
    for i, (t, f) in enumerate(zip(times, tf, strict=True)):
        empty = i % 17 == 5
        keep.append(not empty)
        tavg = "" if empty else f"{int(f):>4}"
        lines.append(f'"USW00094728","NEW YORK CENTRAL PARK, NY US","{t:%Y-%m-%d}",'
                     f'" 0.00","  0.0","{tavg}","{int(f) + 8:>4}","{int(f) - 8:>4}"')
    path = tmp / "cdo.csv"
    path.write_text("\n".join(lines) + "\n")
    # Empty TAVG rows fall back to (TMAX + TMIN) / 2, which the generator made equal to TAVG.
    assert not all(keep)
    return Case(path, (tf - 32) * 5 / 9, np.full(tf.size, np.nan), "TAVG", None,
                _iso(times[0]), _iso(times[-1]), "F", assumed=True,
                warnings=("TEMPERATURE_FROM_MAX_MIN", "TEMPERATURE_UNIT_ASSUMED"))


def noaa_lcd(tmp: Path, rng: np.random.Generator) -> Case:
    n = 240
    times, temp, hum = _series(rng, n, timedelta(minutes=30), datetime(2023, 7, 1, 0, 54))
    tf = np.round(_f(temp))
    cols = ["STATION", "DATE", "LATITUDE", "REPORT_TYPE", "SOURCE", "HourlyAltimeterSetting",
            "HourlyDewPointTemperature", "HourlyDryBulbTemperature",
            "HourlyPrecipitation", "HourlyRelativeHumidity", "HourlyWetBulbTemperature",
            "HourlyWindDirection", "DailyAverageDryBulbTemperature",
            "DailyMaximumDryBulbTemperature", "DailyAverageRelativeHumidity",
            "REPORT_TYPE", "SOURCE"] + [f"MonthlyField{k}" for k in range(110)]
    lines = [",".join(f'"{c}"' for c in cols)]
    used_t, used_h, used_times = [], [], []
    for i, (t, f, h) in enumerate(zip(times, tf, hum, strict=True)):
        drybulb = f"{int(f)}s" if i % 11 == 3 else str(int(f))
        rh = "" if i % 13 == 4 else str(int(h))
        if i % 19 == 7:
            drybulb = "T" if i % 2 else ""
        else:
            used_t.append(int(f))
            used_h.append(np.nan if rh == "" else int(h))
            used_times.append(t)
        vals = ["72503014732", t.strftime("%Y-%m-%dT%H:%M:%S"), "40.7", "FM-15", "7",
                "30.01", str(int(f) - 10), drybulb, "0.00", rh, str(int(f) - 5), "VRB",
                "", "", "", "FM-15", "7"] + [""] * 110
        lines.append(",".join(f'"{v}"' for v in vals))
        if i % 48 == 47:
            summary = ["72503014732", t.strftime("%Y-%m-%dT23:59:00"), "40.7", "SOD  ", "6",
                       "", "", "", "", "", "", "", "75", "88", "60", "SOD  ", "6"] + [""] * 110
            lines.append(",".join(f'"{v}"' for v in summary))
    path = tmp / "lcd.csv"
    path.write_text("\n".join(lines) + "\n")
    tc = (np.array(used_t, float) - 32) * 5 / 9
    return Case(path, tc, np.array(used_h), "HourlyDryBulbTemperature",
                "HourlyRelativeHumidity", _iso(min(used_times)), _iso(max(used_times)), "F",
                assumed=True)


def meteostat(tmp: Path, rng: np.random.Generator) -> Case:
    times, temp, hum = _series(rng, 300, timedelta(hours=1), datetime(2025, 1, 11, 6))
    lines = ["time,temp,dwpt,rhum,prcp,snow,wdir,wspd,wpgt,pres,tsun,coco"]
    h_out = hum.copy()
    for i, (t, c, h) in enumerate(zip(times, temp, hum, strict=True)):
        rh = "" if i % 9 == 0 else str(h)
        if rh == "":
            h_out[i] = np.nan
        lines.append(f"{t:%Y-%m-%d %H:%M:%S},{c},{c - 3},{rh},,,250,11.2,,1012.3,,3")
    path = tmp / "meteostat.csv"
    path.write_text("\n".join(lines) + "\n")
    return Case(path, temp, h_out, "temp", "rhum", _iso(times[0]), _iso(times[-1]), "C",
                assumed=True)


def open_meteo(tmp: Path, rng: np.random.Generator, fahrenheit: bool = False) -> Case:
    times, temp, hum = _series(rng, 200, timedelta(hours=1), datetime(2010, 1, 1))
    unit = "°F" if fahrenheit else "°C"
    written = _f(temp) if fahrenheit else temp
    lines = ["latitude,longitude,elevation,utc_offset_seconds,timezone,timezone_abbreviation",
             "52.52,13.419998,38.0,0,GMT,GMT", "",
             f"time,temperature_2m ({unit}),relative_humidity_2m (%)"]
    keep = np.ones(temp.size, bool)
    for i, (t, c, h) in enumerate(zip(times, written, hum, strict=True)):
        if i % 23 == 22:
            keep[i] = False
            lines.append(f"{t:%Y-%m-%dT%H:%M},NaN,NaN")
        else:
            lines.append(f"{t:%Y-%m-%dT%H:%M},{c},{int(h)}")
    lines += ["", f"time,temperature_2m_max ({unit}),temperature_2m_min ({unit})",
              "2010-01-01,99.0,-50.0", "2010-01-02,98.0,-49.0"]
    path = tmp / "open-meteo.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tc = (written - 32) * 5 / 9 if fahrenheit else written
    kept = [t for t, k in zip(times, keep, strict=True) if k]
    return Case(path, tc[keep], np.floor(hum)[keep], f"temperature_2m ({unit})",
                "relative_humidity_2m (%)", _iso(kept[0]), _iso(kept[-1]),
                "F" if fahrenheit else "C", warnings=("ROWS_DROPPED",))


def visual_crossing(tmp: Path, rng: np.random.Generator) -> Case:
    times, temp, hum = _series(rng, 120, timedelta(days=1), datetime(2022, 6, 1))
    lines = ["name,datetime,tempmax,tempmin,temp,feelslikemax,feelslikemin,feelslike,dew,"
             "humidity,precip,conditions"]
    for t, c, h in zip(times, temp, hum, strict=True):
        lines.append(f'"London, England",{t:%Y-%m-%d},{c + 5},{c - 5},{c},{c + 7},{c - 7},'
                     f'{c + 1},{c - 6},{h},0,"Partially cloudy"')
    path = tmp / "visualcrossing.csv"
    path.write_text("\n".join(lines) + "\n")
    return Case(path, temp, hum, "temp", "humidity", _iso(times[0]), _iso(times[-1]), "C",
                assumed=True)


def tmy3(tmp: Path, rng: np.random.Generator, cp1252: bool = False) -> Case:
    n = 72
    hum = np.round(rng.uniform(20, 100, n))
    temp = np.round(25 - 0.2 * hum + rng.normal(0, 3, n), 1)
    name = "MONTRÉAL/PIERRE ELLIOTT TRUDEAU" if cp1252 else "TWENTYNINE PALMS"
    lines = [f'690150,"{name}",CA,-8.0,34.300,-116.167,626',
             "Date (MM/DD/YYYY),Time (HH:MM),ETR (W/m^2),ETRN (W/m^2),GHI (W/m^2),"
             "GHI source,GHI uncert (%),Dry-bulb (C),Dry-bulb source,Dry-bulb uncert (code),"
             "Dew-point (C),Dew-point source,Dew-point uncert (code),RHum (%),RHum source,"
             "RHum uncert (code),Pressure (mbar)"]
    used_t, used_h, stamps = [], [], []
    for i in range(n):
        day, hour = divmod(i, 24)
        year = 1988 if day != 1 else 1995  # months from different years
        date = datetime(year, 1, 1 + day)
        stamp = date + timedelta(hours=hour + 1)
        t = "-9900" if i == 10 else str(temp[i])
        rh = "-9900" if i == 20 else str(int(hum[i]))
        if i != 10:
            used_t.append(temp[i])
            used_h.append(np.nan if i == 20 else hum[i])
            stamps.append(stamp)
        lines.append(f"{date:%m/%d/%Y},{hour + 1:02d}:00,0,0,0,1,0,{t},A,7,{temp[i] - 5},A,7,"
                     f"{rh},A,7,1013")
    path = tmp / "tmy3.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252" if cp1252 else "utf-8"))
    return Case(path, np.array(used_t), np.array(used_h), "Dry-bulb (C)", "RHum (%)",
                _iso(min(stamps)), _iso(max(stamps)), "C",
                warnings=("HUMIDITY_MISSING", "ROWS_DROPPED"))


def epw(tmp: Path, rng: np.random.Generator) -> Case:
    n = 48
    hum = np.round(rng.uniform(20, 100, n))
    temp = np.round(25 - 0.2 * hum + rng.normal(0, 3, n), 1)
    meta = ["LOCATION,SAN FRANCISCO INTL AP,CA,USA,TMY3,724940,37.62,-122.40,-8.0,2.0",
            "DESIGN CONDITIONS,0", "TYPICAL/EXTREME PERIODS,0", "GROUND TEMPERATURES,0",
            "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0", "COMMENTS 1,x", "COMMENTS 2,y",
            "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31"]
    used_t, used_h, stamps = [], [], []
    for i in range(n):
        day, hour = divmod(i, 24)
        t = "99.9" if i == 5 else str(temp[i])
        rh = "999" if i == 6 else str(int(hum[i]))
        if i != 5:
            used_t.append(temp[i])
            used_h.append(np.nan if i == 6 else hum[i])
            stamps.append(datetime(1999, 1, 1 + day) + timedelta(hours=hour + 1))
        rest = ",".join(["0"] * 26)
        meta.append(f"1999,1,{day + 1},{hour + 1},60,?9?9?9?9E0?9?9?9*9*9?9?9?9,{t},"
                    f"{temp[i] - 4},{rh},101700,{rest}")
    path = tmp / "USA_CA_San.Francisco.epw"
    path.write_text("\n".join(meta) + "\n")
    return Case(path, np.array(used_t), np.array(used_h), "dry_bulb_temperature_C",
                "relative_humidity_pct", _iso(min(stamps)), _iso(max(stamps)), "C")


def nycflights(tmp: Path, rng: np.random.Generator, time_hour: bool = True) -> Case:
    n = 150
    hum = np.round(rng.uniform(20, 100, n), 2)
    tf = np.round(70 - 0.3 * hum + rng.normal(0, 5, n), 2) + 10
    cols = ["origin", "year", "month", "day", "hour", "temp", "dewp", "humid", "wind_dir",
            "wind_speed", "precip", "pressure", "visib"] + (["time_hour"] if time_hour else [])
    lines = [",".join(f'"{c}"' for c in cols)]
    used_t, used_h, stamps = [], [], []
    for i in range(n):
        stamp = datetime(2013, 1, 1, 1) + timedelta(hours=i // 3)
        origin = ("EWR", "JFK", "LGA")[i % 3]
        t = "NA" if i % 31 == 3 else str(tf[i])
        if t != "NA":
            used_t.append(tf[i])
            used_h.append(hum[i])
            stamps.append(stamp)
        row = [f'"{origin}"', "2013", "1", str(stamp.day), str(stamp.hour), t,
               str(tf[i] - 10), str(hum[i]), "NA", "10.35702", "0", "1012", "10"]
        if time_hour:
            row.append(f'"{stamp:%Y-%m-%dT%H:%M:%S}Z"')
        lines.append(",".join(row))
    path = tmp / "weather.csv"
    path.write_text("\n".join(lines) + "\n")
    suffix = "Z" if time_hour else ""
    return Case(path, (np.array(used_t) - 32) * 5 / 9, np.array(used_h), "temp", "humid",
                _iso(min(stamps)) + suffix, _iso(max(stamps)) + suffix, "F", assumed=True)


def dwd(tmp: Path, rng: np.random.Generator, daily: bool = False) -> Case:
    times, temp, hum = _series(rng, 200, timedelta(days=1) if daily else timedelta(hours=1),
                               datetime(2018, 1, 1))
    if daily:
        head = ("STATIONS_ID;MESS_DATUM;QN_3;  FX;  FM;QN_4; RSK;RSKF; SDK;SHK_TAG;  NM; VPM;"
                "  PM; TMK; UPM; TXK; TNK; TGK;eor")
    else:
        head = "STATIONS_ID;MESS_DATUM;QN_9;TT_TU;RF_TU;eor"
    lines = [head]
    keep = np.ones(temp.size, bool)
    for i, (t, c, h) in enumerate(zip(times, temp, hum, strict=True)):
        tv = "-999" if i % 29 == 3 else f"{c:6.1f}"
        keep[i] = tv != "-999"
        if daily:
            lines.append(f"        3;{t:%Y%m%d};   10;  12.3;   4.1;    3;   0.0;   0;  0.0;"
                         f"   0;   6.3;   8.9; 1001.2;{tv};{h:6.2f};  12.1;   1.2;  -0.4;eor")
        else:
            lines.append(f"      3;{t:%Y%m%d%H};    3;{tv};{h:6.1f};eor")
    path = tmp / ("produkt_klima_tag.txt" if daily else "produkt_tu_stunde.txt")
    path.write_text("\n".join(lines) + "\n")
    kept = [t for t, k in zip(times, keep, strict=True) if k]
    return Case(path, temp[keep], hum[keep], "TMK" if daily else "TT_TU",
                "UPM" if daily else "RF_TU", _iso(kept[0]), _iso(kept[-1]), "C")


def wunderground(tmp: Path, rng: np.random.Generator) -> Case:
    times, temp, hum = _series(rng, 150, timedelta(minutes=5), datetime(2019, 7, 1))
    tf = _f(temp)
    lines = ["Time,TemperatureF,DewpointF,PressureIn,WindDirection,WindDirectionDegrees,"
             "WindSpeedMPH,WindSpeedGustMPH,Humidity,HourlyPrecipIn,Conditions,Clouds,"
             "dailyrainin,SoftwareType,DateUTC<br>"]
    keep = np.ones(temp.size, bool)
    h_out = hum.copy()
    for i, (t, f, h) in enumerate(zip(times, tf, hum, strict=True)):
        tv = "-999.0" if i % 37 == 2 else str(f)
        keep[i] = tv != "-999.0"
        hv = "-9999" if i % 41 == 5 else str(int(h))
        h_out[i] = np.nan if hv == "-9999" else int(h)
        lines.append(f"{t:%Y-%m-%d %H:%M:%S},{tv},{f - 10},29.92,SW,225,3.0,5.0,{hv},0.00,,,"
                     f"0.00,Weather Display,{t:%Y-%m-%d %H:%M:%S},")
        lines.append("<br>")
    path = tmp / "wu.csv"
    path.write_text("\n".join(lines) + "\n")
    kept = [t for t, k in zip(times, keep, strict=True) if k]
    return Case(path, (tf[keep] - 32) * 5 / 9, h_out[keep], "TemperatureF", "Humidity",
                _iso(kept[0]), _iso(kept[-1]), "F")


def weatherlink(tmp: Path, rng: np.random.Generator) -> Case:
    times, temp, hum = _series(rng, 150, timedelta(minutes=15), datetime(2024, 1, 1))
    tf = _f(temp)
    lines = ["Date & Time,Temp - °F,High Temp - °F,Low Temp - °F,Hum - %,Dew Point - °F,"
             "Wet Bulb - °F,Wind Chill - °F,Heat Index - °F,Inside Temp - °F,Inside Hum - %"]
    for t, f, h in zip(times, tf, hum, strict=True):
        ampm = "am" if t.hour < 12 else "pm"
        stamp = f"{t.month}/{t.day}/{t:%y} {(t.hour % 12) or 12}:{t:%M} {ampm}"
        lines.append(f"{stamp},{f},{f + 1},{f - 1},{int(h)},{f - 9},{f - 4},{f - 2},{f + 2},"
                     f"71.5,35")
    path = tmp / "weatherlink.csv"
    path.write_text("\n".join(lines) + "\n")
    return Case(path, (tf - 32) * 5 / 9, np.floor(hum), "Temp - °F", "Hum - %",
                _iso(times[0]), _iso(times[-1]), "F")


def weatherlink_txt(tmp: Path, rng: np.random.Generator) -> Case:
    times, temp, hum = _series(rng, 150, timedelta(minutes=30), datetime(2024, 1, 1))
    tf = _f(temp)
    top = ["", "", "Temp", "Hi", "Low", "Out", "Dew", "Wind", "In", "In"]
    bottom = ["Date", "Time", "Out", "Temp", "Temp", "Hum", "Pt.", "Chill", "Temp", "Hum"]
    lines = ["\t".join(top), "\t".join(bottom)]
    for t, f, h in zip(times, tf, hum, strict=True):
        ampm = "a" if t.hour < 12 else "p"
        lines.append(f"{t:%m/%d/%y}\t{(t.hour % 12) or 12}:{t:%M} {ampm}\t{f}\t{f + 1}\t"
                     f"{f - 1}\t{int(h)}\t{f - 9}\t{f - 2}\t70.1\t33")
    path = tmp / "download.txt"
    path.write_text("\r\n".join(lines) + "\r\n")
    return Case(path, (tf - 32) * 5 / 9, np.floor(hum), "Temp Out", "Out Hum",
                _iso(times[0]), _iso(times[-1]), "F", assumed=True,
                warnings=("TEMPERATURE_UNIT_ASSUMED",))


def env_canada(tmp: Path, rng: np.random.Generator) -> Case:
    times, temp, hum = _series(rng, 200, timedelta(hours=1), datetime(2020, 1, 1))
    head = ('"Longitude (x)","Latitude (y)","Station Name","Climate ID","Date/Time (LST)",'
            '"Year","Month","Day","Time (LST)","Temp (°C)","Temp Flag",'
            '"Dew Point Temp (°C)","Dew Point Temp Flag","Rel Hum (%)","Rel Hum Flag"')
    lines = [head]
    keep = np.ones(temp.size, bool)
    for i, (t, c, h) in enumerate(zip(times, temp, hum, strict=True)):
        tv, flag = (str(c), "") if i % 15 else ("", "M")
        keep[i] = bool(i % 15)
        lines.append(f'"-75.67","45.32","OTTAWA CDA RCS","6105978","{t:%Y-%m-%d %H:%M}",'
                     f'"{t.year}","{t.month:02d}","{t.day:02d}","{t:%H:%M}","{tv}","{flag}",'
                     f'"{c - 4}","","{int(h)}",""')
    path = tmp / "en_climate_hourly.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode())
    kept = [t for t, k in zip(times, keep, strict=True) if k]
    return Case(path, temp[keep], np.floor(hum)[keep], "Temp (°C)", "Rel Hum (%)",
                _iso(kept[0]), _iso(kept[-1]), "C")


def iem_asos(tmp: Path, rng: np.random.Generator) -> Case:
    times, temp, hum = _series(rng, 200, timedelta(minutes=20), datetime(2022, 3, 1))
    tf = _f(temp)
    lines = ["#DEBUG: Format Typ    -> comma", "#DEBUG: Time Period   -> 2022-03-01",
             "#DEBUG: Time Zone     -> UTC", "station,valid,tmpf,dwpf,relh,drct,sknt,p01i"]
    keep = np.ones(temp.size, bool)
    h_out = hum.copy()
    for i, (t, f, h) in enumerate(zip(times, tf, hum, strict=True)):
        tv = "M" if i % 21 == 4 else str(f)
        keep[i] = tv != "M"
        hv = "M" if i % 17 == 2 else f"{h:.2f}"
        h_out[i] = np.nan if hv == "M" else round(h, 2)
        lines.append(f"DSM,{t:%Y-%m-%d %H:%M},{tv},{f - 9},{hv},250.00,9.00,T")
    path = tmp / "asos.csv"
    path.write_text("\n".join(lines) + "\n")
    kept = [t for t, k in zip(times, keep, strict=True) if k]
    return Case(path, (tf[keep] - 32) * 5 / 9, h_out[keep], "tmpf", "relh",
                _iso(kept[0]), _iso(kept[-1]), "F")


def xlsx(tmp: Path, rng: np.random.Generator) -> Case:
    import openpyxl

    times, temp, hum = _series(rng, 120, timedelta(hours=6), datetime(2021, 5, 1))
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "About"
    notes["A1"] = "Exported from station 42"
    ws = wb.create_sheet("Data")
    ws.append([])
    ws.append([])
    ws.append(["Timestamp", "Air Temperature (°C)", "Relative Humidity (%)", "Max Temp (°C)"])
    for t, c, h in zip(times, temp, hum, strict=True):
        ws.append([t, float(c), float(h), float(c) + 3])
    path = tmp / "station.xlsx"
    wb.save(path)
    _formulas_with_cached_values(path, "B")
    return Case(path, temp, hum, "Air Temperature (°C)", "Relative Humidity (%)",
                _iso(times[0]), _iso(times[-1]), "C")


def _formulas_with_cached_values(path: Path, column: str) -> None:
    """Turn a column's numbers into formulas that keep their cached value, as Excel saves."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    pattern = re.compile(rb'(<c r="' + column.encode() + rb'(\d+)"(?: t="n")?>)(<v>[^<]*</v>)')
    for name, data in members.items():
        if name.startswith("xl/worksheets/"):
            members[name] = pattern.sub(
                lambda m: m.group(1) + b"<f>D" + m.group(2) + b"-3</f>" + m.group(3), data)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


LAYOUTS = {
    "szeged": szeged, "delhi": delhi, "delhi_original": lambda t, r: delhi(t, r, True),
    "noaa_cdo": noaa_cdo, "noaa_lcd": noaa_lcd, "meteostat": meteostat,
    "open_meteo": open_meteo, "open_meteo_f": lambda t, r: open_meteo(t, r, True),
    "visual_crossing": visual_crossing, "tmy3": tmy3, "tmy3_cp1252": lambda t, r: tmy3(t, r, True),
    "epw": epw, "nycflights": nycflights,
    "nycflights_parts": lambda t, r: nycflights(t, r, False), "dwd_hourly": dwd,
    "dwd_daily": lambda t, r: dwd(t, r, True), "wunderground": wunderground,
    "weatherlink": weatherlink, "weatherlink_txt": weatherlink_txt, "env_canada": env_canada,
    "iem_asos": iem_asos, "xlsx": xlsx, "xls": xls,
}
