// ISO 4217: the currencies a price can be in. A code outside this list is refused where
// it enters (webhooks, the API), since it decides how an amount is read (JPY has no minor
// unit, KWD three) and a typo ("USS") would store money nobody can add up.

// The codes in circulation (ISO 4217 list one, 2025): funds (BOV, CHE, …), precious
// metals (XAU, …), bond units, SDRs and the testing and no-currency codes are left out,
// since no shop sells in them.
const ISO_4217 = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY ' +
    'COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS ' +
    'INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU ' +
    'MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK ' +
    'SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST ' +
    'XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL'
  ).split(' '),
);

/** True for an ISO 4217 currency code in circulation, upper-case ("EUR"). */
export function isIsoCurrency(code: string): boolean {
  return ISO_4217.has(code);
}
