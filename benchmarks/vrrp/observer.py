#!/usr/bin/env python3
"""The failover benchmark's observer: run inside the bridge namespace, it asks for the VIP's MAC by ARP every
millisecond and prints, with CLOCK_MONOTONIC times (shared by every namespace), each ARP reply for the VIP and each
VRRP advert it sees on the bridge:

  arp <sender-mac> <t>
  vrrp <source-ip> <vrid> <priority> <t>

usage: observer.py IFACE VIP OWN_IP
"""
import select, socket, struct, sys, time

iface, vip, own_ip = sys.argv[1], socket.inet_aton(sys.argv[2]), socket.inet_aton(sys.argv[3])
ETH_P_ALL = 0x0003
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
s.bind((iface, 0))
own_mac = s.getsockname()[4]
request = (b"\xff" * 6 + own_mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
           + own_mac + own_ip + b"\x00" * 6 + vip)
out = sys.stdout
next_ask = 0.0
while True:
    now = time.monotonic()
    if now >= next_ask:
        s.send(request)
        next_ask = now + 0.001
    ready, _, _ = select.select([s], [], [], max(0.0, next_ask - now))
    if not ready:
        continue
    frame, (_, _, pkttype, _, _) = s.recvfrom(2048)
    t = time.monotonic()
    if pkttype == socket.PACKET_OUTGOING or len(frame) < 34:
        continue
    ethertype = frame[12:14]
    if ethertype == b"\x08\x06" and frame[20:22] == b"\x00\x02" and frame[28:32] == vip:
        out.write(f"arp {frame[22:28].hex(':')} {t:.6f}\n")
        out.flush()
    elif ethertype == b"\x08\x00" and frame[23] == 112:
        header = (frame[14] & 0x0F) * 4
        vrrp = frame[14 + header:]
        if len(vrrp) >= 3:
            out.write(f"vrrp {socket.inet_ntoa(frame[26:30])} {vrrp[1]} {vrrp[2]} {t:.6f}\n")
            out.flush()
