/* SPDX-License-Identifier: BSD-3-Clause */
/* Protocol version numbers → the names EVE output uses ("TLS 1.3"). */
#include "tlsfp/fp.h"

const char *
tlsfp_version_name(uint16_t version)
{
	switch (version) {
	case 0x0002:
		return "SSLv2";
	case 0x0300:
		return "SSLv3";
	case 0x0301:
		return "TLS 1.0";
	case 0x0302:
		return "TLS 1.1";
	case 0x0303:
		return "TLS 1.2";
	case 0x0304:
		return "TLS 1.3";
	case 0xfeff:
		return "DTLS 1.0";
	case 0xfefd:
		return "DTLS 1.2";
	case 0xfefc:
		return "DTLS 1.3";
	default:
		return "UNDETERMINED";
	}
}
