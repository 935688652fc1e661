"""Coded values of the law-enforcement side and of the bridge."""

from django.db import models


class TipSource(models.TextChoices):
    HOTLINE = "hotline", "Hotline"
    PUBLIC = "public", "Member of the public"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    SERVICE_PROVIDER = "service_provider", "Service provider"
    SCHOOL = "school", "School"
    HEALTH = "health", "Health care"
    ANONYMOUS = "anonymous", "Anonymous"
    OTHER = "other", "Other"


class TipChannel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    WEB_FORM = "web_form", "Public web form"
    IN_PERSON = "in_person", "In person"
    REFERRAL = "referral", "Agency referral"
    OTHER = "other", "Other"


class VenueType(models.TextChoices):
    RESIDENCE = "residence", "Private residence"
    HOTEL_MOTEL = "hotel_motel", "Hotel or motel"
    MASSAGE_SPA = "massage_spa", "Massage parlor or spa"
    ONLINE = "online", "Online"
    STREET = "street", "Street"
    BAR_CLUB = "bar_club", "Bar or club"
    RESTAURANT = "restaurant", "Restaurant"
    AGRICULTURE = "agriculture", "Agriculture"
    CONSTRUCTION = "construction", "Construction"
    DOMESTIC_WORK = "domestic_work", "Domestic work"
    FACTORY = "factory", "Factory or warehouse"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Urgency(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    IMMEDIATE = "immediate", "Immediate danger"


class ChargeVenue(models.TextChoices):
    STATE = "state", "State court"
    FEDERAL = "federal", "Federal court"


class Disposition(models.TextChoices):
    PENDING = "pending", "Pending"
    CONVICTED = "convicted", "Convicted at trial"
    PLEA = "plea", "Plea"
    ACQUITTED = "acquitted", "Acquitted"
    DISMISSED = "dismissed", "Dismissed"


# Statutes the task force charges most; free text is accepted too.
TRAFFICKING_STATUTES = {
    "PC 236.1": "Human trafficking (California Penal Code 236.1)",
    "18 U.S.C. 1591": "Sex trafficking of children or by force, fraud or coercion",
    "18 U.S.C. 1589": "Forced labor",
    "18 U.S.C. 1590": "Trafficking with respect to peonage, slavery, involuntary servitude or forced labor",
}
RELATED_STATUTES = {
    "PC 266h": "Pimping",
    "PC 266i": "Pandering",
    "PC 647(b)": "Solicitation",
}


class ReferralKind(models.TextChoices):
    LE_TO_VS = "le_to_vs", "Law enforcement to victim services"
    VS_TO_LE = "vs_to_le", "Victim services to law enforcement"
    VS_TO_VS = "vs_to_vs", "Victim services to victim services"


class CertificationKind(models.TextChoices):
    T_VISA = "t_visa", "T visa: I-914 Supplement B"
    U_VISA = "u_visa", "U visa: I-918 Supplement B"
    CONTINUED_PRESENCE = "continued_presence", "Continued Presence"
