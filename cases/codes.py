"""Coded values of the victim-services side. Codes are binding where reporting.md names them."""

from django.db import models


class TraffickingType(models.TextChoices):
    SEX = "sex", "Sex trafficking"
    LABOR = "labor", "Labor trafficking"
    BOTH = "both", "Sex and labor trafficking"
    UNKNOWN = "unknown", "Unknown"


class AgeGroup(models.TextChoices):
    MINOR = "minor", "Minor (under 18)"
    ADULT = "adult", "Adult"
    NOT_REPORTED = "not_reported", "Not reported"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    TRANSGENDER = "transgender", "Transgender"
    NONBINARY = "nonbinary", "Nonbinary"
    NOT_REPORTED = "not_reported", "Not reported"


class Citizenship(models.TextChoices):
    US_CITIZEN = "us_citizen", "U.S. citizen"
    LPR = "lpr", "Lawful permanent resident"
    FOREIGN_NATIONAL = "foreign_national", "Foreign national"
    NOT_REPORTED = "not_reported", "Not reported"


class RaceEthnicity(models.TextChoices):
    AMERICAN_INDIAN = "american_indian_alaska_native", "American Indian or Alaska Native"
    ASIAN = "asian", "Asian"
    BLACK = "black", "Black or African American"
    HISPANIC = "hispanic_latino", "Hispanic or Latino"
    MIDDLE_EASTERN = "middle_eastern_north_african", "Middle Eastern or North African"
    PACIFIC_ISLANDER = "native_hawaiian_pacific_islander", "Native Hawaiian or Pacific Islander"
    WHITE = "white", "White"
    MULTIPLE = "multiple", "More than one"
    OTHER = "other", "Other"
    NOT_REPORTED = "not_reported", "Not reported"


class ReferralSource(models.TextChoices):
    LAW_ENFORCEMENT_LOCAL = "law_enforcement_local", "Local law enforcement"
    LAW_ENFORCEMENT_FEDERAL = "law_enforcement_federal", "Federal law enforcement"
    HOTLINE = "hotline", "Hotline"
    SERVICE_PROVIDER = "service_provider", "Service provider"
    HEALTH = "health", "Health care"
    SCHOOL = "school", "School"
    SELF = "self", "Self-referred"
    COMMUNITY = "community", "Community member or group"
    OTHER = "other", "Other"


class ServiceCategory(models.TextChoices):
    CASE_MANAGEMENT = "case_management", "Case management"
    CRISIS_INTERVENTION = "crisis_intervention", "Crisis intervention"
    EMERGENCY_SHELTER = "emergency_shelter", "Emergency shelter"
    TRANSITIONAL_HOUSING = "transitional_housing", "Transitional housing"
    BASIC_NEEDS = "basic_needs", "Basic needs"
    MEDICAL = "medical", "Medical"
    DENTAL = "dental", "Dental"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use treatment"
    LEGAL_IMMIGRATION = "legal_immigration", "Legal: immigration"
    LEGAL_CRIMINAL = "legal_criminal", "Legal: criminal justice advocacy"
    LEGAL_CIVIL = "legal_civil", "Legal: civil"
    INTERPRETATION = "interpretation", "Interpretation and translation"
    TRANSPORTATION = "transportation", "Transportation"
    EDUCATION_EMPLOYMENT = "education_employment", "Education and employment"
    FINANCIAL_ASSISTANCE = "financial_assistance", "Financial assistance"
    SAFETY_PLANNING = "safety_planning", "Safety planning"
    FAMILY_REUNIFICATION = "family_reunification", "Family reunification"
    CHILD_CARE = "child_care", "Child care"
    ADVOCACY_ACCOMPANIMENT = "advocacy_accompaniment", "Advocacy and accompaniment"
    LIFE_SKILLS = "life_skills", "Life skills"
    REPATRIATION = "repatriation", "Repatriation"
    OTHER = "other", "Other"


class ContactChannel(models.TextChoices):
    PHONE_CALL = "phone_call", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    VOICEMAIL = "voicemail", "Voicemail"
    MAIL = "mail", "Postal mail"
    HOME_VISIT = "home_visit", "Home visit"
    SOCIAL_MEDIA = "social_media", "Social media"


class ConsentCategory(models.TextChoices):
    """What a release of information lets the recipient agency receive."""

    IDENTITY = "identity", "Name and date of birth"
    CONTACT = "contact", "Safe contact information"
    CASE_SUMMARY = "case_summary", "Case summary and needs"
    SERVICES = "services", "Services received"
    IMMIGRATION = "immigration", "Immigration status"
    SCREENING = "screening", "Screening results"
