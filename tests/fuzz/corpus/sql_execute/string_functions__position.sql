SELECT device_model, position(device_model, ' ') AS first_space, position(device_model, 'zz') AS none
FROM events
GROUP BY device_model
ORDER BY device_model