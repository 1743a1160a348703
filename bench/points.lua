-- wrk script: GET /v1/check/point at random points over the northern border provinces
math.randomseed(42)
request = function()
  local lon = 102.2 + math.random() * 5.8
  local lat = 20.5 + math.random() * 2.9
  return wrk.format("GET", string.format("/v1/check/point?lon=%.6f&lat=%.6f", lon, lat))
end
